/**
 * tabswarm's embeddable element (dist/tabswarm-element.js): importing this module defines
 * `<tab-swarm>`. Put `tabswarm-sw.js` (the streaming service worker, written beside this module by
 * `npm run build`) beside it on the same origin, or name it with `configureTabSwarm({ workerUrl })`.
 *
 *   <script type="module" src="/tabswarm-element.js"></script>
 *   <tab-swarm src="magnet:?xt=urn:btih:…" controls></tab-swarm>
 *
 *   import { configureTabSwarm } from '/tabswarm-element.js';
 *   configureTabSwarm({ announce: ['wss://tracker.example'], iceServers: [{ urls: 'stun:stun.example:3478' }] });
 *   // or a whole RTCConfiguration: configureTabSwarm({ rtcConfig: { iceServers: [turn], iceTransportPolicy: 'relay' } });
 */
import { TabSwarmElement } from './tab-swarm.js';

export { TabSwarmElement };
export { configureTabSwarm, tabSwarmClient, tabSwarmShared, ELEMENT_PIECES_DB } from './shared.js';
export type { TabSwarmOptions } from './shared.js';
export { SourceError } from './source.js';
export type { Phase } from './controller.js';
export type {
  TabSwarmDoneDetail,
  TabSwarmErrorDetail,
  TabSwarmWaitingDetail,
  WaitingReason,
  TabSwarmEventDetails,
  TabSwarmEventName,
  TabSwarmProgressDetail,
  TabSwarmReadyDetail,
} from './events.js';

// Defined once, even if the module is loaded twice (two copies of it would both try).
if (!customElements.get('tab-swarm')) customElements.define('tab-swarm', TabSwarmElement);
