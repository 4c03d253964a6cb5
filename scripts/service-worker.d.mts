import type { Plugin } from 'vite';

export declare const SERVICE_WORKER_FILE: string;
export declare function buildServiceWorker(options?: { minify?: boolean }): Promise<string>;
export declare function serviceWorkerPlugin(): Plugin;
