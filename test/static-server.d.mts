/** The Content-Type for a file name (application/octet-stream for an unknown extension). */
export declare function contentType(file: string): string;

/** An in-memory answer for one path. */
export interface StaticRoute {
  /** Default 200. */
  status?: number;
  /** Default text/html; charset=utf-8. */
  type?: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

export interface StaticServerOptions {
  /** URL prefix (ending in `/`) → folder on disk; the longest matching prefix wins. */
  mounts?: Record<string, string>;
  /** Exact decoded path → an answer (or a function of the request URL giving one); checked before the mounts. */
  routes?: Record<string, StaticRoute | ((url: URL) => StaticRoute)>;
  /** Extra headers for a 200 answer, from its path, Content-Type and body (e.g. a CSP computed from the HTML). */
  headers?(path: string, type: string, body: string | Uint8Array): Record<string, string> | undefined;
  /** Add the COOP/COEP cross-origin isolation headers to every answer. */
  crossOriginIsolated?: boolean;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Log one line a request. */
  log?: boolean;
}

export interface StaticServer {
  /** e.g. `http://127.0.0.1:5173/` */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the server; resolves once it listens. */
export declare function startStaticServer(opts?: StaticServerOptions): Promise<StaticServer>;
