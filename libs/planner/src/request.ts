import { contentHash, type PipelineDefinition } from '@matih/pipeline-spec';
import { compilePlan, type CompileOptions, type CompileResult } from './compile';

/** What a `compile.requested` command carries, as far as compiling goes. */
export interface CompileRequest {
  /** the normalized definition as the registry stored it */
  definition: Record<string, unknown>;
  /** its content hash (SHA-256 of the canonical JSON) */
  hash: string;
}

const SECTIONS = ['metadata', 'sources', 'transformations', 'sinks', 'orchestration'] as const;

/**
 * Checks a stored definition against its content hash, then compiles it. A mismatch, a definition
 * that is not in normalized form, and every compile error come back as diagnostics.
 */
export function compileRequest(request: CompileRequest, options: CompileOptions): CompileResult {
  const actual = contentHash(request.definition);
  if (actual !== request.hash) {
    return {
      ok: false,
      diagnostics: [{ path: null, message: `the definition does not match its hash: expected ${request.hash}, the definition hashes to ${actual}`, hint: 'send the normalized definition exactly as stored, with its own hash' }],
    };
  }
  const missing = SECTIONS.filter((key) => typeof request.definition[key] !== 'object' || request.definition[key] === null);
  if (missing.length > 0) {
    return { ok: false, diagnostics: [{ path: null, message: `not a normalized pipeline definition: missing ${missing.join(', ')}` }] };
  }
  try {
    return compilePlan(request.definition as unknown as PipelineDefinition, options);
  } catch (error) {
    // a definition that passed the hash check but not the normalized shape: say so rather than crash
    return { ok: false, diagnostics: [{ path: null, message: `not a normalized pipeline definition: ${(error as Error).message}` }] };
  }
}
