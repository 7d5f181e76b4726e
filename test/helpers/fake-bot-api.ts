// One implementation for benchmarks and tests: bench/ is built with the product, test/ is not.
export {
  FakeBotApi,
  type BotApiCall,
  type FakeChat,
  type FakeFile,
  type FakeUser,
} from '../../bench/fake-bot-api.js';
