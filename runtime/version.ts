declare const PIPEWRIGHT_VERSION: string;

/** Pipewright's version, as the bundle was built with (esbuild's define); undefined when run from source. */
export const pipewrightVersion: string | undefined = typeof PIPEWRIGHT_VERSION === 'string' ? PIPEWRIGHT_VERSION : undefined;
