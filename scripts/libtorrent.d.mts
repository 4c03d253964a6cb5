export function findLibtorrentPython(): string | undefined;
