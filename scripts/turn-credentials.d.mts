export function turnCredentials(o: { secret: string; label?: string; ttlSeconds?: number; now?: number }): {
  username: string;
  credential: string;
  expires: number;
};
