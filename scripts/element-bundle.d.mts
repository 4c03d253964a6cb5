import type { Plugin } from 'vite';

export declare const ELEMENT_FILE: string;
export declare function buildElement(): Promise<string>;
export declare function elementPlugin(): Plugin;
