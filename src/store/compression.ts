// Compression of stored data with node:zlib, with a cap on the inflated size so that a hostile
// row cannot exhaust memory.

import {
  brotliCompressSync,
  brotliDecompressSync,
  constants,
  deflateSync,
  gunzipSync,
  gzipSync,
  inflateSync,
} from 'node:zlib'
import { EventfoldError } from '../codec/index.js'

/** The compression algorithms a mapper can write; every one of them can always be read. */
export type Compression = 'gzip' | 'deflate' | 'brotli'

/** The byte that names each algorithm inside a compressed envelope. */
export const COMPRESSION_IDS: Readonly<Record<Compression, number>> = { gzip: 1, deflate: 2, brotli: 3 }

/** True for a supported algorithm name. */
export const isCompression = (name: string): name is Compression => Object.hasOwn(COMPRESSION_IDS, name)

/** Compresses bytes with the named algorithm (brotli at a quality suited to small records). */
export const compress = (algorithm: Compression, bytes: Uint8Array): Uint8Array => {
  switch (algorithm) {
    case 'gzip':
      return gzipSync(bytes)
    case 'deflate':
      return deflateSync(bytes)
    case 'brotli':
      return brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })
  }
}

/**
 * Inflates bytes compressed with the algorithm whose id is given, producing at most `maxBytes`.
 * Throws PayloadTooLarge past the cap and DecompressionError for bytes that do not inflate.
 */
export const decompress = (
  id: number,
  bytes: Uint8Array,
  maxBytes: number,
  context: Record<string, unknown>,
): Uint8Array => {
  const options = { maxOutputLength: maxBytes }
  try {
    switch (id) {
      case COMPRESSION_IDS.gzip:
        return gunzipSync(bytes, options)
      case COMPRESSION_IDS.deflate:
        return inflateSync(bytes, options)
      case COMPRESSION_IDS.brotli:
        return brotliDecompressSync(bytes, options)
    }
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new EventfoldError(
        'PayloadTooLarge',
        `stored data inflates to more than ${maxBytes} bytes`,
        context,
        { cause: error },
      )
    }
    throw new EventfoldError(
      'DecompressionError',
      `stored data does not inflate: ${(error as Error).message}`,
      context,
      {
        cause: error,
      },
    )
  }
  throw new EventfoldError('DecompressionError', `unknown compression algorithm ${id}`, context)
}
