// In-page side of the benchmark (plain JS, injected into every page as an init script, after
// test/fixtures/page-bytes.js).
// Each client moves the same deterministic bytes; times are taken in the page with performance.now().
globalThis.bench = {
  makeData(size, seed) {
    return pageBytes.make(size, seed);
  },

  digest(bytes) {
    return pageBytes.sha256(bytes);
  },

  // ---- tabswarm ----
  async tabswarm(tracker) {
    if (!this.ts) {
      const { Client } = await import('/tabswarm.js');
      // No STUN/TURN unless the run set `bench.rtcConfig` (the relay row: only the local coturn).
      this.ts = new Client({
        announce: [tracker],
        iceServers: [],
        ...(this.rtcConfig ? { rtcConfig: this.rtcConfig } : {}),
        store: this.storeKind ?? 'indexeddb',
        // The super-seeding swarm rows set it in the seeder's page.
        superSeeding: this.superSeeding === true,
      });
      this.warnings = [];
      this.ts.addEventListener('warning', (e) => this.warnings.push(e.detail.message));
      await this.ts.ready;
    }
    return this.ts;
  },
  // Files given as [{ path, size, seed }]: each file's bytes are makeData(size, seed).
  makeFiles(specs) {
    return specs.map((f) => {
      const file = new File([this.makeData(f.size, f.seed)], f.path.split('/').pop());
      file.fullPath = '/' + f.path; // how WebTorrent (create-torrent) learns a dropped file's folder
      return { path: f.path, file };
    });
  },
  async digests(specs) {
    return Promise.all(specs.map(async (f) => ({ path: f.path, sha256: await this.digest(this.makeData(f.size, f.seed)) })));
  },
  async fileDigests(files) {
    return Promise.all(files.map(async (f) => ({ path: f.path, sha256: await this.digest(await (await f.blob()).arrayBuffer()) })));
  },
  async tabswarmSeed(tracker, size, seed) {
    return this.tabswarmSeedFiles(tracker, [{ path: 'bench.bin', size, seed }]);
  },
  async tabswarmSeedFiles(tracker, specs, opts = {}) {
    const client = await this.tabswarm(tracker);
    const files = this.makeFiles(specs).map((f) => (specs.length === 1 ? f.file : { path: f.path, data: f.file }));
    const torrent = await client.seed(files, opts);
    this.torrent = torrent;
    return torrent.magnetURI;
  },
  // `input`: a magnet link, or the bytes of a .torrent file as an array of numbers. `digest` false:
  // no file digests in the result (the bench reads its CPU meters first, then `torrentDigest()`).
  async tabswarmGet(tracker, input, digest = true) {
    const client = await this.tabswarm(tracker);
    const t0 = performance.now();
    let firstPieceMs;
    const torrent = await client.add(typeof input === 'string' ? input : new Uint8Array(input));
    this.torrent = torrent;
    torrent.addEventListener('progress', () => (firstPieceMs ??= performance.now() - t0));
    const failed = new Promise((_, reject) => torrent.addEventListener('error', (e) => reject(new Error(e.detail.error.message))));
    await Promise.race([torrent.done, failed]);
    const ms = performance.now() - t0;
    const timeline = torrent.timeline.read();
    if (!digest) return { ms, firstPieceMs, timeline };
    const files = await this.fileDigests(torrent.files);
    return { ms, firstPieceMs, sha256: files[0].sha256, files, timeline };
  },
  // The SHA-256 of the first file of the torrent the last Get downloaded (tabswarm or WebTorrent).
  async torrentDigest() {
    return (await this.fileDigests([this.torrent.files[0]]))[0].sha256;
  },
  tabswarmTimeline() {
    return this.torrent.timeline.read();
  },
  // The first-byte row: the same file seeded as v1 and as v2 (BEP 52), in pieces of `pieceLength`.
  async tabswarmSeedVersions(tracker, size, seed, pieceLength) {
    const specs = [{ path: 'first-byte.bin', size, seed }];
    const v1 = await this.tabswarmSeedFiles(tracker, specs, { version: 'v1', pieceLength });
    const v2 = await this.tabswarmSeedFiles(tracker, specs, { version: 'v2', pieceLength });
    return { v1, v2 };
  },
  // From add(magnet) to the first chunk of the first file's stream (and to the metadata): ms, the
  // chunk's size, and whether its bytes are the file's first ones.
  async tabswarmFirstByte(tracker, magnet, seed) {
    const client = await this.tabswarm(tracker);
    const t0 = performance.now();
    const torrent = await client.add(magnet);
    this.torrent = torrent;
    await torrent.ready;
    const metadataMs = performance.now() - t0;
    const reader = torrent.files[0].stream().getReader();
    const { value } = await reader.read();
    const ms = performance.now() - t0;
    await reader.cancel();
    const want = this.makeData(value.length, seed);
    return { ms, metadataMs, bytes: value.length, right: value.every((b, i) => b === want[i]) };
  },
  tabswarmTorrentFile() {
    return Array.from(this.torrent.torrentFile);
  },
  // What a stuck download looks like, for a test's failure message.
  tabswarmStatus() {
    const t = this.torrent;
    if (!t) return 'no torrent';
    const peers = t.peers().map((p) => `${p.id.slice(0, 8)} ${p.client ?? '?'} has ${(p.progress * 100).toFixed(0)}% unchoked us ${p.unchokedUs}`);
    return JSON.stringify({ progress: t.progress, peers, timeline: t.timeline.read() });
  },
  tabswarmWarnings() {
    return this.ts ? (this.warnings ?? []) : [];
  },
  tabswarmUploaded() {
    return this.torrent.uploaded;
  },
  tabswarmConnections() {
    return this.torrent.peers().map((p) => p.connection);
  },
  // Closes every connection (a TURN allocation is released, and coturn logs its last counters).
  async tabswarmDestroy() {
    await this.ts?.destroy();
  },

  // ---- WebTorrent (its browser bundle: 2.8.5's at /webtorrent.min.js, or the one useWebTorrent names) ----
  webtorrentBundle: '/webtorrent.min.js',
  // Before the first webtorrent* call: which bundle to load, such as '/webtorrent3.min.js' (3.0.21).
  useWebTorrent(path) {
    this.webtorrentBundle = path;
  },
  async webtorrent() {
    if (!this.wt) {
      const { default: WebTorrent } = await import(this.webtorrentBundle);
      // No STUN/TURN, no DHT or LSD (absent in browsers anyway), no web seeds.
      this.wt = new WebTorrent({ tracker: { rtcConfig: { iceServers: [] } }, dht: false, lsd: false, webSeeds: false });
      this.wt.on('error', (e) => console.error('webtorrent', e));
    }
    return this.wt;
  },
  async webtorrentSeed(tracker, size, seed) {
    return this.webtorrentSeedFiles(tracker, [{ path: 'bench.bin', size, seed }]);
  },
  async webtorrentSeedFiles(tracker, specs) {
    const client = await this.webtorrent();
    const files = this.makeFiles(specs).map((f) => f.file);
    return new Promise((resolve) => {
      client.seed(files.length === 1 ? files[0] : files, { announce: [tracker], announceList: [[tracker]] }, (torrent) => {
        this.torrent = torrent;
        resolve(torrent.magnetURI);
      });
    });
  },
  async webtorrentGet(tracker, magnet, digest = true) {
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
    if (!digest) return { ms, firstPieceMs };
    const files = await this.fileDigests(torrent.files);
    return { ms, firstPieceMs, sha256: files[0].sha256, files };
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
  // Sends `size` bytes in messages of `message` bytes, keeping up to `high` bytes queued in the channel.
  // The defaults are the fastest of a sweep on the test machine (queues of 16 KiB to 4 MiB, messages of
  // 16 to 256 KiB): a queue of a few tens of KiB never stalled, while queues of 64 KiB and more stalled
  // for 1-3 s at the start of most transfers (see the README, "The send queue").
  async rawSend(size, high = 32 * 1024, low = 8 * 1024, message = 16 * 1024) {
    const dc = this.dc;
    const chunk = new Uint8Array(message);
    dc.bufferedAmountLowThreshold = low;
    let messages = 0;
    for (let sent = 0; sent < size; messages++) {
      if (dc.bufferedAmount > high) await new Promise((r) => (dc.onbufferedamountlow = r));
      const n = Math.min(chunk.length, size - sent);
      dc.send(n === chunk.length ? chunk : chunk.subarray(0, n));
      sent += n;
    }
    return messages;
  },
  // The same channel doing the least any client that keeps a verified copy must add: the sender reads
  // the file (a File, in 1 MiB slices), the receiver cuts what arrives into pieces of `pieceLength`,
  // hashes each with SHA-1 and writes them to IndexedDB (a transaction per 4 MiB or 50 ms, whichever
  // comes first, as tabswarm does); `rawDone` resolves when the last write is committed.
  async rawSendFile(size, seed, high = 32 * 1024, low = 8 * 1024, message = 16 * 1024) {
    const dc = this.dc;
    const file = new File([this.makeData(size, seed)], 'raw.bin');
    dc.bufferedAmountLowThreshold = low;
    const SPAN = 1024 * 1024;
    let messages = 0;
    for (let at = 0; at < size; at += SPAN) {
      const span = new Uint8Array(await file.slice(at, Math.min(size, at + SPAN)).arrayBuffer());
      for (let o = 0; o < span.length; o += message, messages++) {
        if (dc.bufferedAmount > high) await new Promise((r) => (dc.onbufferedamountlow = r));
        dc.send(span.subarray(o, Math.min(span.length, o + message)));
      }
    }
    return messages;
  },
  async rawArmStore(size, pieceLength) {
    const dc = await this.channel;
    dc.binaryType = 'arraybuffer';
    const db = await new Promise((resolve, reject) => {
      const r = indexedDB.open('raw-store', 1);
      r.onupgradeneeded = () => r.result.createObjectStore('pieces');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    this.rawDone = new Promise((resolve, reject) => {
      let t0;
      let piece = new Uint8Array(Math.min(pieceLength, size));
      let fill = 0;
      let index = 0;
      let batch = [];
      let batchBytes = 0;
      let timer;
      let stored = 0;
      const commit = () => {
        clearTimeout(timer);
        timer = undefined;
        const writes = batch;
        batch = [];
        batchBytes = 0;
        const tx = db.transaction('pieces', 'readwrite');
        for (const [i, data] of writes) tx.objectStore('pieces').put(data, i);
        tx.onerror = () => reject(tx.error);
        tx.oncomplete = () => {
          stored += writes.reduce((n, [, d]) => n + d.length, 0);
          if (stored >= size) resolve(performance.now() - t0);
        };
      };
      const verified = async (i, data) => {
        await crypto.subtle.digest('SHA-1', data);
        batch.push([i, data]);
        batchBytes += data.length;
        if (batchBytes >= 4 * 1024 * 1024 || stored + batchBytes >= size) commit();
        else timer ??= setTimeout(commit, 50);
      };
      dc.onmessage = (e) => {
        t0 ??= performance.now();
        let bytes = new Uint8Array(e.data);
        while (bytes.length > 0) {
          const n = Math.min(bytes.length, piece.length - fill);
          piece.set(bytes.subarray(0, n), fill);
          fill += n;
          bytes = bytes.subarray(n);
          if (fill === piece.length) {
            void verified(index, piece).catch(reject);
            index++;
            piece = new Uint8Array(Math.min(pieceLength, size - index * pieceLength));
            fill = 0;
          }
        }
      };
    });
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
