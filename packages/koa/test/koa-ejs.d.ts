// @koa/ejs ships no types; the part the tests use.
declare module '@koa/ejs' {
  import type Koa from 'koa';
  export default function koaEjs(
    app: Koa,
    settings: { root: string; viewExt?: string; layout?: string | false; async?: boolean },
  ): void;
}
