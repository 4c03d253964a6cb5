export function findTurnserver(): string | undefined;
