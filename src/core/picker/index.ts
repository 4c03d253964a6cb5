export { PiecePicker } from './picker.js';
export { pipelineDepth, DEFAULT_PIPELINE, type PipelineOptions } from './pipeline.js';
export { geometryOf, type LayoutOptions, type PieceSet, type Pieces } from './layout.js';
export {
  MAX_PRIORITY,
  PRIORITY,
  type BlockReceipt,
  type BlockRequest,
  type FailOptions,
  type BlockState,
  type PeerRequest,
  type PickerOptions,
  type PickerPeer,
  type PieceBudget,
  type PieceState,
  type Progress,
} from './types.js';
