import ioConfigSchema from '../../schemas/io-config.schema.json';
import pipelineSchema from '../../schemas/pipeline-metadata.schema.json';
import projectSchema from '../../schemas/project-metadata.schema.json';
import triggersSchema from '../../schemas/triggers.schema.json';

/** The JSON Schema of each kind of YAML file; the one source of validation, hover text and completion. */
export const SCHEMAS = {
  pipeline: pipelineSchema,
  triggers: triggersSchema,
  ioConfig: ioConfigSchema,
  project: projectSchema,
} as const;

/** A kind of YAML file that has a schema. */
export type SchemaKind = keyof typeof SCHEMAS;
