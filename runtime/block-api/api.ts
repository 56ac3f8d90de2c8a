import { defineBlock, defineCallback, defineTest } from './definitions.js';
import { SENSORS } from './sensors.js';
import { readCsv, readParquet } from './read-data.js';

/** The `pipewright` module as block files see it (types in types/pipewright.d.ts). */
export const BLOCK_API = {
  dataLoader: defineBlock('data_loader'),
  transformer: defineBlock('transformer'),
  dataExporter: defineBlock('data_exporter'),
  custom: defineBlock('custom'),
  sensor: defineBlock('sensor'),
  condition: defineBlock('conditional'),
  callback: defineCallback,
  sensors: SENSORS,
  test: defineTest,
  readCsv,
  readParquet,
};

/** Where compiled blocks find the API (see compile-block.ts). */
export const BLOCK_API_KEY = Symbol.for('pipewright.blockApi');
