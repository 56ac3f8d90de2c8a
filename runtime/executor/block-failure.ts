import type { BlockError } from '../protocol.js';
import { errorPosition } from './error-position.js';

/** A failure with everything the user needs: what, and where in their file. */
export class BlockFailure extends Error {
  constructor(readonly detail: BlockError) {
    super(detail.message);
  }
}

export function failure(error: unknown, code: BlockError['code'], compiled?: string, prefix = ''): BlockFailure {
  if (error instanceof BlockFailure) return error;
  const detail = (error as { detail?: BlockError }).detail;
  if (detail && typeof detail.message === 'string') return new BlockFailure(detail);
  const message = error instanceof Error ? error.message : String(error);
  const where = compiled ? errorPosition(error, compiled) : undefined;
  return new BlockFailure({ code, message: `${prefix}${message}`, stack: error instanceof Error ? error.stack : undefined, ...where });
}
