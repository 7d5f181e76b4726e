// aedes-persistence-redis ships no types. This describes the part busbar uses: the factory (a
// callback wrapper around the async persistence, which is what Aedes 1.x accepts).
declare module 'aedes-persistence-redis' {
  interface RedisPersistenceOptions {
    /** An ioredis client to use instead of creating one from the other options. */
    conn?: unknown;
    maxSessionDelivery?: number;
    packetTTL?: (packet: unknown) => number;
  }
  interface RedisPersistence {
    setup(broker: unknown): Promise<void>;
    countOffline(): Promise<{ subsCount: number; clientsCount: number }>;
    destroy(): Promise<void>;
  }
  function redisPersistence(options?: RedisPersistenceOptions): RedisPersistence;
  export default redisPersistence;
}
