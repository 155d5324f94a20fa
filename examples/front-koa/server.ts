import { createServer } from 'node:http';
import { createShop } from './app.ts';

const port = Number(process.env.PORT ?? 3000);
const { front } = createShop();
createServer(front).listen(port, '127.0.0.1', () => {
  process.stdout.write(`front-koa example on http://127.0.0.1:${port}/products/1\n`);
});
