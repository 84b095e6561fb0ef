export interface ShopServer {
  /** e.g. `http://127.0.0.1:5173/` */
  url: string;
  port: number;
  close(): Promise<void>;
}
export interface ServeOptions {
  /** Default 5173; 0 = any free port. */
  port?: number;
  host?: string;
  /** Send a strict Content-Security-Policy (inline scripts allowed only by hash). */
  csp?: boolean;
  log?: boolean;
  /** COOP/COEP headers (benchmarks only: finer performance.now()). */
  crossOriginIsolated?: boolean;
  /** Generate the catalog and bundle the shop app before serving (default false). */
  prepare?: boolean;
}
export function startServer(opts?: ServeOptions): Promise<ShopServer>;
