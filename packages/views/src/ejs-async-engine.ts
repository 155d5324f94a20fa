/** The part of the `ejs` module the engine uses. */
export interface EjsModule {
  renderFile(path: string, data: object, options: object): Promise<string>;
}

/** An Express view engine: `(path, locals, callback)`. */
export type ExpressViewEngine = (
  path: string,
  locals: object,
  callback: (error: Error | null, html?: string) => void,
) => void;

/**
 * An Express view engine that renders EJS in async mode, so templates can `await fragment(...)`
 * and `await include(...)`. `app.engine('ejs', ejs.renderFile)` cannot: in async mode EJS hands
 * Express a promise where it expects HTML. Reads `views`, `view cache` and `view options` from the
 * app's settings as EJS does.
 *
 * @example
 * import ejs from 'ejs';
 * app.engine('ejs', ejsAsyncEngine(ejs));
 */
export function ejsAsyncEngine(ejs: EjsModule): ExpressViewEngine {
  if (typeof ejs !== 'object' || ejs === null || typeof ejs.renderFile !== 'function') {
    throw new TypeError('ejsAsyncEngine: the argument must be the ejs module (with renderFile)');
  }
  return function renderEjsAsync(path, locals, callback) {
    const settings = (locals as { settings?: Record<string, unknown> }).settings ?? {};
    const viewOptions = (settings['view options'] as object | undefined) ?? {};
    const options = {
      ...(settings.views === undefined ? {} : { views: settings.views }),
      ...(settings['view cache'] === true ? { cache: true } : {}),
      ...viewOptions,
      async: true,
    };
    let rendering: Promise<string>;
    try {
      rendering = Promise.resolve(ejs.renderFile(path, locals, options));
    } catch (error) {
      callback(error as Error);
      return;
    }
    rendering.then(
      (html) => callback(null, html),
      (error: Error) => callback(error),
    );
  };
}
