import type { ReactNode } from 'react';
export declare function App(props: { rec: unknown; onSelect?: unknown }): ReactNode;
