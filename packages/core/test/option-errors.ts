import assert from 'node:assert/strict';
import { test } from 'node:test';

/** One bad-options case: a label, the options, the error class expected and a message pattern. */
export type OptionErrorCase = [
  label: string,
  options: unknown,
  type: ErrorConstructor,
  message: RegExp,
];

/** Registers one test per case: `create(options)` throws `type` with a message matching `message`. */
export function testOptionErrors(
  create: (options: never) => unknown,
  cases: readonly OptionErrorCase[],
): void {
  for (const [label, options, type, message] of cases) {
    test(`throws ${type.name} naming the option for ${label}`, () => {
      assert.throws(
        () => create(options as never),
        (error: Error) => {
          assert.ok(error instanceof type, `${error.name}: ${error.message}`);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
}
