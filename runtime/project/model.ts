import type { Problem } from '../problem.js';
import type { BlockLanguage, BlockType } from './block-kinds.js';
import type { IoConfig } from './io-config.js';
import type { YamlFile, YamlPath } from '../yaml/yaml-file.js';

/** The lists of a pipeline's metadata.yaml that hold blocks. */
export type BlockList = 'blocks' | 'callbacks' | 'conditionals' | 'widgets';

/** A block entry of a pipeline, with where it is written so any of its values can be pointed at. */
export interface Block {
  uuid: string;
  name: string;
  /** One of Mage's types, or a newer Mage type Pipewright does not know (reported, never run). */
  type: BlockType | (string & {});
  language: BlockLanguage;
  upstream: string[];
  downstream: string[];
  configuration: Record<string, unknown>;
  /** Which list of metadata.yaml the entry is in, and its path there (`['blocks', 3]`). */
  list: BlockList;
  path: YamlPath;
  /** Absolute path of the block's code file; undefined for kinds that have none. */
  file?: string;
  fileExists: boolean;
  /** Which setting chose the file: configuration.file_path, configuration.file_source.path, or the folder convention. */
  fileVia?: 'file_path' | 'file_source' | 'convention';
  /** The block's path leads out of the project: it is never read or run (a problem says so). */
  fileOutside?: boolean;
  /** The entry as written, unknown keys included. */
  raw: Record<string, unknown>;
}

/** A trigger from a pipeline's triggers.yaml. */
export interface Trigger {
  name: string;
  scheduleType: string;
  scheduleInterval?: string;
  startTime?: string;
  status: 'active' | 'inactive';
  variables: Record<string, unknown>;
  settings: Record<string, unknown>;
  timezone?: string;
  catchUp?: 'none' | 'latest' | 'all';
  path: YamlPath;
  raw: Record<string, unknown>;
}

/** A pipeline: pipelines/<uuid>/metadata.yaml and its triggers.yaml. */
export interface Pipeline {
  uuid: string;
  name: string;
  type: string;
  description?: string;
  variables: Record<string, unknown>;
  tags: string[];
  /** Absolute path of the pipeline's folder. */
  dir: string;
  metadata: YamlFile;
  triggersFile?: YamlFile;
  blocks: Block[];
  triggers: Trigger[];
  raw: Record<string, unknown>;
}

/** Which pipelines use a block file: the same file may serve several pipelines. */
export interface BlockUse {
  pipeline: string;
  block: string;
}

/** A project in Mage's layout, as read from disk (or from an editor's open documents). */
export interface Project {
  /** Absolute path of the project folder. */
  root: string;
  name: string;
  /** The folder holding a multi-project settings.yaml, or `root` for a standalone project. */
  repoRoot: string;
  /** Projects that the multi-project settings.yaml lists but that have no folder here. */
  absentProjects: Set<string>;
  metadata?: YamlFile;
  ioConfig?: IoConfig;
  /** Values of the project's `.env`, over the committed defaults of its `dev.env`. */
  dotenv: Map<string, string>;
  pipelines: Map<string, Pipeline>;
  /** Every pipeline that uses each block file, keyed by absolute path. */
  blockUses: Map<string, BlockUse[]>;
  /** Problems found while loading; graph and template checks add theirs in `validateProject`. */
  problems: Problem[];
}
