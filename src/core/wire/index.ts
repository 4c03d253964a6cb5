/** The BitTorrent peer wire codec (BEP 3, 5, 6, 9, 10): sans-IO encoders and decoders. */
export { WireError } from './errors.js';
export {
  encodeHandshake,
  decodeHandshake,
  HANDSHAKE_LENGTH,
  PROTOCOL_PREFIX,
  type Handshake,
  type HandshakeInit,
  type HandshakeExtensions,
} from './handshake.js';
export {
  Bep3Id,
  Bep5Id,
  Bep6Id,
  Bep10Id,
  MessageId,
  encodeMessage,
  encodeMessages,
  encodedLength,
  decodeFrame,
  type WireMessage,
  type WireMessageType,
  type MessageOf,
} from './messages.js';
export { WireDecoder, MAX_FRAME, MAX_BLOCK, MAX_BITFIELD_PIECES, type WireEvent, type HandshakeEvent, type WireDecoderOptions } from './decoder.js';
export { BitField } from './bitfield.js';
export {
  encodeExtendedHandshake,
  decodeExtendedHandshake,
  encodeMetadataMessage,
  decodeMetadataMessage,
  encodeWantMessage,
  decodeWantMessage,
  WANT_EXTENSION,
  MAX_WANT_PIECES,
  EXTENDED_HANDSHAKE_ID,
  METADATA_PIECE,
  MAX_METADATA_SIZE,
  MAX_METADATA_PIECES,
  MetadataMsgType,
  type ExtendedHandshake,
  type DecodedExtendedHandshake,
  type MetadataMessage,
  type KnownMetadataMessage,
} from './extended.js';
export {
  encodePexMessage,
  decodePexMessage,
  encodeSignalMessage,
  decodeSignalMessage,
  PEX_EXTENSION,
  SIGNAL_EXTENSION,
  MAX_PEX_PEERS,
  MAX_SIGNAL_SDP,
  MAX_SIGNAL_REASON,
  MAX_SIGNAL_ID,
  PEER_ID_LENGTH,
  type PexMessage,
  type SignalMessage,
  type SignalType,
} from './peer-exchange.js';
