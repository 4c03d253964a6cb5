// In-page side of the hostile-peer and storage suites (plain JS, injected as an init script after
// test/fixtures/page-bytes.js, like bench/page.js): an honest tabswarm seeder, or a victim — a tabswarm
// leecher (the built library) or a WebTorrent 2.8.5 leecher (its browser bundle) — that records its
// warnings and every uncaught error or rejection, and can tell what its piece store holds.
globalThis.peer = {
  errors: [],
  warnings: [],
  kind: undefined,
  client: undefined,
  torrent: undefined,
  done: false,
  doneMs: undefined,
  failed: undefined,
  quotaExceeded: false,
  t0: 0,

  makeData(size, seed) {
    return pageBytes.make(size, seed);
  },

  digest(bytes) {
    return pageBytes.sha256(bytes);
  },

  magnet() {
    return this.torrent.magnetURI;
  },

  dataSha256(size, seed) {
    return this.digest(this.makeData(size, seed));
  },

  hex(bytes) {
    return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  },

  /** Creates the client of `kind`; returns its peer id (hex). */
  async create(kind, tracker, store = 'indexeddb') {
    this.kind = kind;
    if (kind === 'tabswarm') {
      const { Client } = await import('/tabswarm.js');
      this.client = new Client({ announce: [tracker], iceServers: [], store });
      this.client.addEventListener('warning', (e) => this.warnings.push(e.detail.message));
      await this.client.ready;
      return this.hex(this.client.peerId);
    }
    const { default: WebTorrent } = await import('/webtorrent.min.js');
    this.client = new WebTorrent({ tracker: { rtcConfig: { iceServers: [] } }, dht: false, lsd: false, webSeeds: false });
    this.client.on('error', (e) => this.errors.push(`client error: ${e && e.message ? e.message : e}`));
    this.client.on('warning', (e) => this.warnings.push(`client warning: ${e && e.message ? e.message : e}`));
    return String(this.client.peerId);
  },

  /** Seeds makeData(size, seed) as `name` (tabswarm); returns its info hash. */
  async seed(size, seed, name, pieceLength) {
    const file = new File([this.makeData(size, seed)], name);
    this.torrent = await this.client.seed([file], { pieceLength });
    return this.torrent.infoHash;
  },

  async unseed() {
    if (this.torrent) await this.client.remove(this.torrent, { deleteData: true });
    this.torrent = undefined;
  },

  /** Starts downloading (does not wait). */
  async add(magnet, tracker) {
    this.t0 = performance.now();
    const finish = () => {
      this.done = true;
      this.doneMs ??= Math.round(performance.now() - this.t0);
    };
    if (this.kind === 'tabswarm') {
      this.watch(await this.client.add(magnet), finish);
      return;
    }
    const torrent = this.client.add(magnet, { announce: [tracker] });
    this.torrent = torrent;
    torrent.on('warning', (e) => this.warnings.push(String(e && e.message ? e.message : e)));
    torrent.on('error', (e) => (this.failed = String(e && e.message ? e.message : e)));
    torrent.on('done', finish);
  },

  watch(torrent, finish) {
    this.torrent = torrent;
    torrent.addEventListener('error', (e) => {
      this.failed = e.detail.error.message;
      this.quotaExceeded = e.detail.error.quotaExceeded === true;
    });
    torrent.done.then(finish, () => undefined);
  },

  /** After a reload: the client again (tabswarm), with the torrent it restored. */
  async restore(tracker) {
    await this.create('tabswarm', tracker);
    const torrent = this.client.torrents[0];
    if (torrent) this.watch(torrent, () => (this.done = true));
    return this.client.torrents.length;
  },

  storage() {
    return { ...this.client.storage };
  },

  /** Pieces the torrent counts as verified (and stored). */
  verified() {
    const states = this.torrent.pieceStates();
    const out = [];
    for (let i = 0; i < states.length; i++) if (states[i] === 2) out.push(i);
    return out;
  },

  /** The pieces of `infoHash` in the library's IndexedDB store, read directly, each checked against makeData(size, seed). */
  async stored(infoHash, size, seed, pieceLength) {
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open('tabswarm-pieces');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => resolve(open.result);
    });
    try {
      if (!db.objectStoreNames.contains('pieces')) return { indexes: [], wrong: [] };
      const rows = await new Promise((resolve, reject) => {
        const store = db.transaction('pieces', 'readonly').objectStore('pieces');
        const range = IDBKeyRange.bound([infoHash, 0], [infoHash, Infinity]);
        const keys = store.getAllKeys(range);
        const values = store.getAll(range);
        values.onerror = () => reject(values.error);
        values.onsuccess = () => resolve(keys.result.map((k, i) => [k[1], values.result[i]]));
      });
      const data = this.makeData(size, seed);
      const wrong = [];
      for (const [index, value] of rows) {
        const want = data.subarray(index * pieceLength, Math.min(size, (index + 1) * pieceLength));
        const got = new Uint8Array(value);
        if (got.length !== want.length || got.some((b, i) => b !== want[i])) wrong.push(index);
      }
      return { indexes: rows.map(([index]) => index), wrong };
    } finally {
      db.close();
    }
  },

  status() {
    const t = this.torrent;
    return {
      done: this.done,
      doneMs: this.doneMs ?? null,
      progress: t ? t.progress : 0,
      peers: t ? t.numPeers : 0,
      failed: this.failed ?? null,
      quotaExceeded: this.quotaExceeded,
      downloaded: t ? t.downloaded : 0,
      warnings: [...this.warnings],
      errors: [...this.errors],
    };
  },

  /** SHA-256 of the downloaded file (hex). */
  async fileSha256() {
    const blob = await this.torrent.files[0].blob();
    return this.digest(new Uint8Array(await blob.arrayBuffer()));
  },
};

addEventListener('error', (e) => globalThis.peer.errors.push(`uncaught: ${e.message}`));
addEventListener('unhandledrejection', (e) =>
  globalThis.peer.errors.push(`unhandled rejection: ${e.reason && e.reason.message ? e.reason.message : String(e.reason)}`),
);
