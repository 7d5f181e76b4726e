/**
 * The one description of busbar's configuration file. Types, defaults and the editor JSON Schema
 * (config/busbar.schema.json) all derive from here; nothing else states a default.
 */
import { z } from 'zod';
import { brokerProblems, brokerSchema } from '../broker/config.js';
import { agentSchema } from '../agents/host/config-schema.js';
import { ingestRuleProblems, ingestSchema } from '../ingest/config.js';
import { sinksSchema } from '../sinks/config.js';
import { historyReadProblem, historySchema } from '../history/config.js';
import { bridgesSchema } from '../bridges/config.js';
import { remotesSchema } from '../remotes/config.js';
import { webSchema } from '../web/config.js';
import { alarmsSchema } from '../alarms/config.js';
import { notifiersSchema } from '../notifiers/config.js';
import { baseTopicSchema, logSchema, remoteBusSchema } from './common.js';

export { baseTopicSchema, logSchema, remoteBusSchema };

export const configSchema = z
  .object({
    baseTopic: baseTopicSchema,
    log: logSchema.prefault({}),
    // The broker's section lives with the broker (broker/config.ts), defaults included.
    broker: brokerSchema.prefault({}),
    bus: z
      .object({
        remote: remoteBusSchema.optional().describe('External broker used when broker.enabled is false.'),
      })
      .strict()
      .prefault({})
      .describe('How components reach the broker.'),
    // The ingest section lives with the ingest component (ingest/config.ts), defaults included.
    ingest: ingestSchema.prefault({}),
    // The sinks' section lives with the sinks (sinks/config.ts), defaults included.
    sinks: sinksSchema.prefault({}).describe('Where metrics are stored: the history store, InfluxDB.'),
    // Where history is read from lives with the readers (history/config.ts), defaults included.
    history: historySchema
      .prefault({})
      .describe('Where the web, the bot, mails and alarms read history from.'),
    // The host agent's section lives with the agent (agents/host/config-schema.ts), defaults included.
    agent: agentSchema.prefault({}).describe("The host agent: this machine's vital signs on the bus."),
    // The bridges' sections live with the bridges (bridges/*/config.ts), defaults included.
    bridges: bridgesSchema
      .prefault({})
      .describe('Bridges that poll non-MQTT sources (SNMP, Redis) onto the bus.'),
    // Bridges to remote brokers live in remotes/ (remotes/config.ts), defaults included.
    remotes: remotesSchema.prefault({}).describe('Bridges to remote MQTT brokers, with store and forward.'),
    // The web section lives with the server (web/config.ts), defaults included.
    web: webSchema
      .prefault({})
      .describe('The HTTP server: JSON API, InfluxDB-compatible ingestion, health, metrics.'),
    // The alarms' section lives with the alarms (alarms/config.ts), defaults included.
    alarms: alarmsSchema
      .prefault({})
      .describe('Alarm rules and recording rules evaluated on the metric stream.'),
    // The notifiers' section lives with the notifiers (notifiers/config.ts), defaults included.
    notifiers: notifiersSchema
      .prefault({})
      .describe('Routes from topics to notification targets (email, webhook, MQTT, file, log).'),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (!config.broker.enabled && !config.bus.remote) {
      ctx.addIssue({
        code: 'custom',
        path: ['bus', 'remote'],
        message: 'required when broker.enabled is false (components need a broker to talk to)',
      });
    }
    const historyProblem = historyReadProblem(config.history, config.sinks);
    if (historyProblem !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['history', 'read'], message: historyProblem });
    }
    for (const problem of brokerProblems(config.broker)) {
      ctx.addIssue({ code: 'custom', path: ['broker', ...problem.path], message: problem.message });
    }
    config.ingest.rules.forEach((rule, index) => {
      const path = ['ingest', 'rules', index];
      for (const problem of ingestRuleProblems(rule, config.baseTopic)) {
        ctx.addIssue({ code: 'custom', path: [...path, problem.key], message: problem.message });
      }
    });
  });

/** The file as written (before defaults). */
export type ConfigInput = z.input<typeof configSchema>;
/** The validated configuration every component receives. */
export type Config = z.output<typeof configSchema>;
export type {
  AclRule,
  BrokerConfig,
  ListenerConfig,
  PersistenceConfig,
  UserEntry,
} from '../broker/config.js';
export type { RemoteBusConfig } from './common.js';
export type { IngestConfig, IngestRule } from '../ingest/config.js';
export type AgentConfig = Config['agent'];
export type { HistoryConfig, InfluxV1Config, InfluxV2Config, SinksConfig } from '../sinks/config.js';
