/**
 * The peer wire codec's one error type. The decoders throw nothing else for any input, and the
 * encoders throw it for a message that cannot be put on the wire (a field out of its range).
 */
import { TabswarmError } from '../errors.js';

export class WireError extends TabswarmError {}
