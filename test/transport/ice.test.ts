/**
 * The pure ICE helpers of src/transport/ice.ts: which configuration a peer gets, SDPs without a
 * candidate, and direct versus relayed from getStats() reports shaped as the browsers give them.
 */
import { describe, expect, it } from 'vitest';
import { FAILURE, connectionKindOf, hasTurnServer, rtcConfiguration, sdpHasCandidates } from '../../src/transport/ice.js';

const TURN: RTCIceServer = { urls: 'turn:10.213.0.1:3478?transport=udp', username: 'u', credential: 'p' };
const STUN: RTCIceServer = { urls: ['stun:10.213.0.1:3478'] };

/** A Chromium report (from a relayed connection in the test bed), trimmed to the fields read. */
function chromiumReport(localType: string): unknown[] {
  return [
    { id: 'T01', type: 'transport', selectedCandidatePairId: 'CPsel' },
    { id: 'CPother', type: 'candidate-pair', state: 'failed', nominated: false, localCandidateId: 'Ihost', remoteCandidateId: 'Ir' },
    { id: 'CPsel', type: 'candidate-pair', state: 'succeeded', nominated: true, localCandidateId: 'Isel', remoteCandidateId: 'Ir' },
    { id: 'Ihost', type: 'local-candidate', candidateType: 'host' },
    { id: 'Isel', type: 'local-candidate', candidateType: localType, relayProtocol: localType === 'relay' ? 'udp' : undefined },
    { id: 'Ir', type: 'remote-candidate', candidateType: 'relay' },
  ];
}

describe('rtcConfiguration', () => {
  it('takes rtcConfig whole; its iceServers win over the iceServers shorthand, which fills in when it has none', () => {
    expect(rtcConfiguration({})).toEqual({ iceServers: [] });
    expect(rtcConfiguration({ iceServers: [STUN] })).toEqual({ iceServers: [STUN] });
    expect(rtcConfiguration({ iceServers: [STUN], rtcConfig: { iceServers: [TURN], iceTransportPolicy: 'relay' } })).toEqual({
      iceServers: [TURN],
      iceTransportPolicy: 'relay',
    });
    expect(rtcConfiguration({ iceServers: [STUN], rtcConfig: { iceTransportPolicy: 'relay' } })).toEqual({ iceServers: [STUN], iceTransportPolicy: 'relay' });
    // Never left out: simple-peer would put public STUN servers in its place.
    expect(rtcConfiguration({ rtcConfig: { bundlePolicy: 'max-bundle' } })).toEqual({ bundlePolicy: 'max-bundle', iceServers: [] });
  });

  it('knows a TURN server among ICE servers', () => {
    expect(hasTurnServer([STUN])).toBe(false);
    expect(hasTurnServer([STUN, TURN])).toBe(true);
    expect(hasTurnServer([{ urls: ['stun:127.0.0.1', 'turns:10.213.0.2:5349'], username: 'u', credential: 'p' }])).toBe(true);
    expect(hasTurnServer(undefined)).toBe(false);
  });
});

describe('sdpHasCandidates', () => {
  const head = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n';
  it('finds a candidate line, says false for a complete SDP without one, and leaves non-SDP text to simple-peer', () => {
    expect(sdpHasCandidates(`${head}a=candidate:1 1 udp 2113937151 10.213.0.1 55912 typ host generation 0\r\n`)).toBe(true);
    expect(sdpHasCandidates(`${head}a=candidate:1 1 udp 50339839 10.213.0.1 61028 typ relay raddr 0.0.0.0 rport 0\r\n`)).toBe(true);
    expect(sdpHasCandidates(`${head}a=ice-ufrag:x\r\na=end-of-candidates\r\n`)).toBe(false);
    expect(sdpHasCandidates('not sdp')).toBeUndefined();
  });
});

describe('connectionKindOf', () => {
  it("reads the transport's selected pair: relay is 'relay'; host, srflx and prflx are 'direct'", () => {
    expect(connectionKindOf(chromiumReport('relay'))).toBe('relay');
    for (const t of ['host', 'srflx', 'prflx']) expect(connectionKindOf(chromiumReport(t))).toBe('direct');
  });

  it('falls back to the pair marked selected (Firefox), then to a nominated pair that succeeded', () => {
    const firefox = [
      { id: 'p1', type: 'candidate-pair', state: 'succeeded', nominated: true, selected: false, localCandidateId: 'l1' },
      { id: 'p2', type: 'candidate-pair', state: 'succeeded', nominated: true, selected: true, localCandidateId: 'l2' },
      { id: 'l1', type: 'local-candidate', candidateType: 'host' },
      { id: 'l2', type: 'local-candidate', candidateType: 'relay' },
    ];
    expect(connectionKindOf(firefox)).toBe('relay');
    const bare = [
      { id: 'p1', type: 'candidate-pair', state: 'in-progress', nominated: false, localCandidateId: 'l2' },
      { id: 'p2', type: 'candidate-pair', state: 'succeeded', nominated: true, localCandidateId: 'l1' },
      { id: 'l1', type: 'local-candidate', candidateType: 'srflx' },
      { id: 'l2', type: 'local-candidate', candidateType: 'relay' },
    ];
    expect(connectionKindOf(bare)).toBe('direct');
  });

  it('is undefined while no pair is selected, or its candidate is unknown', () => {
    expect(connectionKindOf([])).toBeUndefined();
    expect(connectionKindOf([{ id: 'T', type: 'transport' }, null, 7])).toBeUndefined();
    expect(connectionKindOf([{ id: 'p', type: 'candidate-pair', state: 'in-progress', nominated: false, localCandidateId: 'l' }])).toBeUndefined();
    expect(
      connectionKindOf([
        { id: 'T', type: 'transport', selectedCandidatePairId: 'p' },
        { id: 'p', type: 'candidate-pair', localCandidateId: 'gone' },
      ]),
    ).toBeUndefined();
  });
});

describe('failure wording', () => {
  it('says what would help: a TURN relay when none is configured, checking it when one is', () => {
    expect(FAILURE.iceFailed({ iceServers: [] })).toBe('the connection failed (no direct path; a TURN relay would help)');
    expect(FAILURE.iceFailed({ iceServers: [TURN] })).toMatch(/even through the TURN relay/);
    expect(FAILURE.noLocalAddress({ iceServers: [], iceTransportPolicy: 'relay' })).toBe(
      'only relayed connections are allowed here, and no TURN server is configured',
    );
    expect(FAILURE.noLocalAddress({ iceServers: [TURN], iceTransportPolicy: 'relay' })).toMatch(/TURN server gave no relay address/);
    expect(FAILURE.noLocalAddress({ iceServers: [] })).toMatch(/a TURN relay would help/);
  });
});
