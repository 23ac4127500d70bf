/** ioredis' own slot function (a dependency of ioredis), used by a spec as the oracle of Redis Cluster's key hashing. */
declare module 'cluster-key-slot' {
  export default function calculateSlot(key: string): number;
}
