// In-page side of the benchmark (plain JS, injected into every page as an init script).
// Each client moves the same deterministic bytes; times are taken in the page with performance.now().
globalThis.bench = {
  makeData(size, seed) {
    const data = new Uint8Array(size);
    let x = seed >>> 0 || 1;
    for (let i = 0; i < size; i += 4) {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      data[i] = x & 255; data[i + 1] = (x >>> 8) & 255; data[i + 2] = (x >>> 16) & 255; data[i + 3] = x >>> 24;
    }
    return data;
  },

  async digest(bytes) {
    const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
  },

  // ---- tabswarm ----
  async tabswarm(tracker) {
    if (!this.ts) {
      const { Client } = await import('/tabswarm.js');
      this.ts = new Client({ announce: [tracker], iceServers: [], store: this.storeKind ?? 'indexeddb' });
      await this.ts.ready;
    }
    return this.ts;
  },
  async tabswarmSeed(tracker, size, seed) {
    const client = await this.tabswarm(tracker);
    const torrent = await client.seed([new File([this.makeData(size, seed)], 'bench.bin')]);
    this.torrent = torrent;
    return torrent.magnetURI;
  },
  async tabswarmGet(tracker, magnet) {
    const client = await this.tabswarm(tracker);
    const t0 = performance.now();
    let firstPieceMs;
    const torrent = await client.add(magnet);
    this.torrent = torrent;
    torrent.addEventListener('progress', () => (firstPieceMs ??= performance.now() - t0));
    const failed = new Promise((_, reject) =>
      torrent.addEventListener('error', (e) => reject(new Error(e.detail.error.message))),
    );
    await Promise.race([torrent.done, failed]);
    const ms = performance.now() - t0;
    const blob = await torrent.files[0].blob();
    return { ms, firstPieceMs, sha256: await this.digest(await blob.arrayBuffer()) };
  },
  tabswarmUploaded() {
    return this.torrent.uploaded;
  },

  // ---- WebTorrent 2.8.5 (its browser bundle) ----
  async webtorrent() {
    if (!this.wt) {
      const { default: WebTorrent } = await import('/webtorrent.min.js');
      // No STUN/TURN, no DHT or LSD (absent in browsers anyway), no web seeds.
      this.wt = new WebTorrent({ tracker: { rtcConfig: { iceServers: [] } }, dht: false, lsd: false, webSeeds: false });
      this.wt.on('error', (e) => console.error('webtorrent', e));
    }
    return this.wt;
  },
  async webtorrentSeed(tracker, size, seed) {
    const client = await this.webtorrent();
    const file = new File([this.makeData(size, seed)], 'bench.bin');
    return new Promise((resolve) => {
      client.seed(file, { announce: [tracker], announceList: [[tracker]] }, (torrent) => {
        this.torrent = torrent;
        resolve(torrent.magnetURI);
      });
    });
  },
  async webtorrentGet(tracker, magnet) {
    const client = await this.webtorrent();
    const t0 = performance.now();
    let firstPieceMs;
    const torrent = await new Promise((resolve, reject) => {
      const t = client.add(magnet, { announce: [tracker] });
      t.once('verified', () => (firstPieceMs ??= performance.now() - t0));
      t.once('done', () => resolve(t));
      t.once('error', (e) => reject(e instanceof Error ? e : new Error(String(e))));
    });
    const ms = performance.now() - t0;
    this.torrent = torrent;
    const blob = await torrent.files[0].blob();
    return { ms, firstPieceMs, sha256: await this.digest(await blob.arrayBuffer()) };
  },
  webtorrentUploaded() {
    return this.torrent.uploaded;
  },

  // ---- a raw data channel: the ceiling for any protocol over it ----
  async rawOffer() {
    const pc = new RTCPeerConnection({ iceServers: [] });
    this.pc = pc;
    this.dc = pc.createDataChannel('raw');
    this.dc.binaryType = 'arraybuffer';
    await pc.setLocalDescription(await pc.createOffer());
    await this.gathered(pc);
    return pc.localDescription.sdp;
  },
  async rawAnswer(sdp) {
    const pc = new RTCPeerConnection({ iceServers: [] });
    this.pc = pc;
    this.channel = new Promise((resolve) => (pc.ondatachannel = (e) => resolve(e.channel)));
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await this.gathered(pc);
    return pc.localDescription.sdp;
  },
  async rawAccept(sdp) {
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
    if (this.dc.readyState !== 'open') await new Promise((r) => (this.dc.onopen = r));
  },
  gathered(pc) {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((r) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()));
  },
  // Sends `size` bytes in 64 KiB messages, keeping up to 4 MiB queued in the channel.
  async rawSend(size) {
    const dc = this.dc;
    const chunk = new Uint8Array(64 * 1024);
    dc.bufferedAmountLowThreshold = 1024 * 1024;
    for (let sent = 0; sent < size; ) {
      if (dc.bufferedAmount > 4 * 1024 * 1024) await new Promise((r) => (dc.onbufferedamountlow = r));
      const n = Math.min(chunk.length, size - sent);
      dc.send(n === chunk.length ? chunk : chunk.subarray(0, n));
      sent += n;
    }
  },
  // Listens for `size` bytes; `rawDone` then resolves with the ms from the first byte to the last.
  async rawArm(size) {
    const dc = await this.channel;
    dc.binaryType = 'arraybuffer';
    this.rawDone = new Promise((resolve) => {
      let got = 0;
      let t0;
      dc.onmessage = (e) => {
        t0 ??= performance.now();
        got += e.data.byteLength;
        if (got >= size) resolve(performance.now() - t0);
      };
    });
  },
};
