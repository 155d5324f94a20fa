import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The fixtures folder: `page.tpl` (a view) and `notes.txt` (a static file). */
export const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

/**
 * A tiny template engine for `app.engine('tpl', ...)`: replaces `{{name}}` with `locals.name` and
 * counts its renders so tests can prove a cached render skipped the template.
 */
export function countingViewEngine(): {
  renders: () => number;
  engine: (
    path: string,
    locals: object,
    done: (error: Error | null, html?: string) => void,
  ) => void;
  render: (view: string, locals: Record<string, unknown>) => Promise<string>;
} {
  let renders = 0;
  const render = async (path: string, locals: Record<string, unknown>): Promise<string> => {
    renders++;
    const text = await readFile(path, 'utf8');
    return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(locals[name] ?? ''));
  };
  return {
    renders: () => renders,
    engine(path, locals, done) {
      render(path, locals as Record<string, unknown>).then(
        (html) => done(null, html),
        (error: Error) => done(error),
      );
    },
    render: (view, locals) => render(`${fixtures}${view}.tpl`, locals),
  };
}
