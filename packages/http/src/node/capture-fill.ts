import type { ServerResponse } from 'node:http';
import { captureResponse } from './capture-response.ts';
import type { FillSteps } from './response-cache-driver.ts';

/**
 * The capture step of a fill for servers whose handlers write to a Node `ServerResponse` (Express,
 * plain `node:http`): buffers what the handler writes, hands it to the fill when the handler ends,
 * and writes the reply the engine returns. Call before running the handler.
 */
export function captureFill(res: ServerResponse, steps: FillSteps): void {
  const fill = steps.fill;
  const capture = captureResponse(res, {
    maxBodySize: fill.maxBodySize,
    finish(response) {
      steps.end();
      return fill.respond(response);
    },
    overflow(reason) {
      steps.end();
      return fill.abandon(reason);
    },
    // A detached response reaches no socket: emitting 'finish' ends the refresh's run.
    ...(steps.detached ? { written: () => void res.emit('finish') } : {}),
  });
  steps.onAside(() => capture.release());
}
