export declare function metaContentSecurityPolicy(html: string): string;
export declare function securityHeaders(indexHtml: string | URL): Record<string, string>;
