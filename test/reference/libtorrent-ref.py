"""BitTorrent v2 reference for the tests: libtorrent 2.0 (Debian's python3-libtorrent).

Run with a Python that can import libtorrent (Debian: the system /usr/bin/python3). Reads a JSON list of
jobs on standard input and writes a JSON list of results, one per job, so that one run serves a whole
test file:

  {"op": "create", "path": DIR_OR_FILE, "version": "v1" | "v2" | "hybrid", "pieceLength": N}
      makes a torrent of the file or directory (libtorrent orders the files and pads them itself)
  {"op": "parse", "torrent": BASE64}
      reads a .torrent made elsewhere
  {"op": "magnet", "magnet": URI}
      reads a magnet link

Each result: {"torrent", "info" (the bencoded info dictionary; base64), "v1", "v2" (hex info hashes, or
null), "magnet", "files" ([{"path", "size", "offset", "pad"}], libtorrent's view, padding included),
"pieceLayers" ({hex root: hex layer})}; a magnet gives only "v1", "v2" and "name"; a job libtorrent
refuses gives {"error": message}.
"""
import base64
import json
import os
import sys

import libtorrent as lt

ZERO_V1 = "0" * 40
ZERO_V2 = "0" * 64


def hashes(ih):
    v1 = str(ih.v1)
    v2 = str(ih.v2)
    return (None if v1 == ZERO_V1 else v1), (None if v2 == ZERO_V2 else v2)


def describe(torrent):
    ti = lt.torrent_info(lt.bdecode(torrent))
    v1, v2 = hashes(ti.info_hashes())
    fs = ti.files()
    files = [
        {
            "path": fs.file_path(i).replace(os.sep, "/"),
            "size": fs.file_size(i),
            "offset": fs.file_offset(i),
            "pad": bool(fs.file_flags(i) & lt.file_flags_t.flag_pad_file),
        }
        for i in range(fs.num_files())
    ]
    decoded = lt.bdecode(torrent)
    layers = {k.hex(): v.hex() for k, v in decoded.get(b"piece layers", {}).items()}
    return {
        "torrent": base64.b64encode(torrent).decode(),
        "info": base64.b64encode(lt.bencode(decoded[b"info"])).decode(),
        "v1": v1,
        "v2": v2,
        "magnet": lt.make_magnet_uri(ti),
        "name": ti.name(),
        "numPieces": ti.num_pieces(),
        "files": files,
        "pieceLayers": layers,
    }


FLAGS = {"v1": lt.create_torrent.v1_only, "v2": lt.create_torrent.v2_only, "hybrid": 0}


def create(job):
    path = os.path.abspath(job["path"])
    fs = lt.file_storage()
    lt.add_files(fs, path)
    ct = lt.create_torrent(fs, job["pieceLength"], flags=FLAGS[job["version"]])
    lt.set_piece_hashes(ct, os.path.dirname(path))
    entry = ct.generate()
    entry.pop(b"creation date", None)
    return describe(lt.bencode(entry))


def magnet(job):
    params = lt.parse_magnet_uri(job["magnet"])
    v1, v2 = hashes(params.info_hashes)
    return {"v1": v1, "v2": v2, "name": params.name}


def run(job):
    try:
        if job["op"] == "create":
            return create(job)
        if job["op"] == "parse":
            return describe(base64.b64decode(job["torrent"]))
        if job["op"] == "magnet":
            return magnet(job)
        return {"error": "unknown op " + str(job["op"])}
    except Exception as err:  # libtorrent raises RuntimeError and others on bad input
        return {"error": str(err) or type(err).__name__}


def main():
    jobs = json.load(sys.stdin)
    json.dump([run(job) for job in jobs], sys.stdout)


if __name__ == "__main__":
    main()
