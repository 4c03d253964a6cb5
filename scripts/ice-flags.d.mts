/** An RTCIceServer, as config.json holds it. */
export interface IceServerConfig {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export declare class IceFlagError extends Error {}

export declare function checkIceUrl(url: string, kind: 'stun' | 'turn', flag: string): string;

export declare function iceServersFromFlags(flags: { stun?: string[]; turn?: string[]; turnUser?: string; turnCredential?: string }): {
  urls: string[];
  username?: string;
  credential?: string;
}[];

export declare function checkIceServers(servers: unknown): IceServerConfig[];
