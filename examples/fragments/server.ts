import { createApp } from './app.ts';

const port = Number(process.env.PORT ?? 3000);
createApp().listen(port, '127.0.0.1', () => {
  process.stdout.write(`fragments example on http://127.0.0.1:${port}/shop/tea\n`);
});
