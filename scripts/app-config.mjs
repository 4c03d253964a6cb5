// `npm run config -- --out FILE …`: writes the app's config.json for a static deployment, from the
// same flags as `npm start`: --announce URL (repeatable; default ws://{hostname}:8000), --stun URL,
// --turn URL with --turn-user U --turn-credential C or --turn-secret S (short-lived credentials, valid
// for --ttl-hours, default 24: run it again from a timer well before they expire), --relay-only.
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { appConfig } from './app-server.mjs';
import { iceServersFromFlags } from './ice-flags.mjs';
import { turnCredentials } from './turn-credentials.mjs';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    announce: { type: 'string', multiple: true, default: [] },
    stun: { type: 'string', multiple: true, default: [] },
    turn: { type: 'string', multiple: true, default: [] },
    'turn-user': { type: 'string' },
    'turn-credential': { type: 'string' },
    'turn-secret': { type: 'string' },
    'ttl-hours': { type: 'string', default: '24' },
    'relay-only': { type: 'boolean', default: false },
  },
});

try {
  if (!values.out) throw new Error("--out FILE: where to write config.json (beside the app's index.html)");
  const announce = values.announce.length > 0 ? values.announce : ['ws://{hostname}:8000'];
  for (const a of announce) if (!/^wss?:\/\/\S+$/.test(a)) throw new Error(`--announce ${a}: a tracker URL starts with ws:// or wss://`);
  const hours = Number(values['ttl-hours']);
  if (!(hours > 0)) throw new Error(`--ttl-hours must be a positive number, got "${values['ttl-hours']}"`);
  const secret = values['turn-secret'];
  if (secret !== undefined && (values['turn-user'] !== undefined || values['turn-credential'] !== undefined)) {
    throw new Error('--turn-secret makes the TURN user name and credential: leave out --turn-user and --turn-credential');
  }
  const made = secret !== undefined ? turnCredentials({ secret, ttlSeconds: Math.round(hours * 3600) }) : undefined;
  const iceServers = iceServersFromFlags({
    stun: values.stun,
    turn: values.turn,
    turnUser: made?.username ?? values['turn-user'],
    turnCredential: made?.credential ?? values['turn-credential'],
  });
  if (values['relay-only'] && values.turn.length === 0) throw new Error('--relay-only needs a TURN server (--turn)');
  const config = appConfig({ announce, iceServers, iceTransportPolicy: values['relay-only'] ? 'relay' : undefined });
  writeFileSync(values.out, JSON.stringify(config, null, 2) + '\n');
  console.log(`[tabswarm] wrote ${values.out}${made ? ` (TURN credentials valid until ${new Date(made.expires * 1000).toISOString()})` : ''}`);
} catch (e) {
  console.error(`[tabswarm] ${/** @type {Error} */ (e).message}`);
  process.exit(2);
}
