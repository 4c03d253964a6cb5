import type { Plugin } from 'vite';

export declare function serviceWorkerPlugin(): Plugin;
export declare function elementPlugin(): Plugin;
