// cluster-key-slot ships no types: its default export is Redis Cluster's slot function.
declare module 'cluster-key-slot' {
  /** The hash slot (0-16383) Redis Cluster assigns `key`, honouring `{hash tags}`. */
  export default function calculateSlot(key: string | Buffer): number;
}
