/**
 * The one error the assets command throws. `code` is stable (scripts may branch on it); the
 * message names the bad path or value and, where there is a choice, the accepted ones.
 */
export type AssetsErrorCode =
  /** A bad command line: unknown option, missing or extra argument. Exit code 2. */
  | 'ASSETS_USAGE'
  /** The runtime package's own files (`worker.js`, `runtime.js`, `chunks/`, `.wasm`) are not where they should be. */
  | 'ASSETS_RUNTIME_MISSING'
  /** The target is not a folder that can be written (a file, or the runtime's own `dist/`). */
  | 'ASSETS_TARGET_INVALID'
  /** `--model` names no folder. */
  | 'ASSETS_MODEL_NOT_FOUND'
  /** The model folder has no `manifest.json`. */
  | 'ASSETS_MANIFEST_MISSING'
  /** `manifest.json` is not a LocalRec bundle manifest (not JSON, wrong `format`, no `files`, a file name leaving the folder). */
  | 'ASSETS_MANIFEST_INVALID'
  /** A file the manifest lists is not in the model folder. */
  | 'ASSETS_MODEL_FILE_MISSING'
  /** A file's SHA-256 or byte size differs from what the manifest says. */
  | 'ASSETS_MODEL_FILE_MISMATCH'
  /** `--name` is not usable as one URL path segment. */
  | 'ASSETS_NAME_INVALID'
  /** `--sdk`: no `@localrec/sdk` installed in the project, or its script-tag files are not in its `dist/`. */
  | 'ASSETS_SDK_MISSING'
  /** Two of the sets to copy (the runtime's files, the SDK's, a model's) would write the same path of the target. */
  | 'ASSETS_FILE_COLLISION';

/** An assets command failure with a stable {@link AssetsErrorCode}. */
export class AssetsError extends Error {
  override name = 'AssetsError';
  constructor(
    readonly code: AssetsErrorCode,
    message: string,
  ) {
    super(message);
  }
}
