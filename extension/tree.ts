import * as vscode from 'vscode';
import type { BlockRecord, RunRecord } from '../runtime/history/run-history.js';
import type { Block, Trigger } from '../runtime/project/model.js';
import { nextRunTimes } from '../runtime/project/schedule-times.js';
import type { ProjectView, Projects } from './projects.js';
import { blockDescription, blockRows, seconds, type BlockRow } from './tree-model.js';
import type { LiveStatus, Runs } from './runs.js';

/** A node of the Pipelines view. */
export type Node =
  | { kind: 'project'; view: ProjectView }
  | { kind: 'pipeline'; view: ProjectView; pipeline: string }
  | ({ kind: 'block'; view: ProjectView; pipeline: string } & BlockRow)
  /** A conditional or callback, under each block it is attached to. */
  | { kind: 'attached'; view: ProjectView; pipeline: string; block: Block; to: string }
  /** One run of a block for one item of a dynamic block, in the latest run. */
  | { kind: 'blockRun'; view: ProjectView; pipeline: string; record: BlockRecord }
  | { kind: 'group'; view: ProjectView; pipeline: string; group: 'triggers' | 'runs' }
  | { kind: 'trigger'; view: ProjectView; pipeline: string; trigger: Trigger }
  | { kind: 'run'; view: ProjectView; run: RunRecord };

const TYPE_ICONS: Record<string, string> = {
  data_loader: 'cloud-download',
  transformer: 'symbol-function',
  data_exporter: 'cloud-upload',
  sensor: 'watch',
  custom: 'code',
  scratchpad: 'note',
  dbt: 'database',
  chart: 'graph',
  conditional: 'filter',
  callback: 'bell',
};

/** Runs per item shown under their block at most; the rest are in pipewright runs. */
const MAX_RUNS_SHOWN = 200;

const STATUS_COLORS: Partial<Record<LiveStatus, string>> = {
  completed: 'testing.iconPassed',
  failed: 'testing.iconFailed',
  upstream_failed: 'testing.iconSkipped',
  condition_failed: 'disabledForeground',
  cancelled: 'testing.iconSkipped',
  running: 'charts.blue',
};

/** Project → pipelines → blocks in run order (type icons, last-run status), triggers and recent runs. */
export class PipelinesTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly projects: Projects,
    private readonly runs: Runs,
  ) {
    projects.onDidChange(() => this.changed.fire(undefined));
    runs.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      const views = this.projects.all;
      return views.length === 1 ? this.pipelines(views[0]) : views.map((view) => ({ kind: 'project', view }));
    }
    switch (node.kind) {
      case 'project':
        return this.pipelines(node.view);
      case 'pipeline':
        return this.pipelineChildren(node.view, node.pipeline);
      case 'block':
        return [
          ...node.attached.map((block): Node => ({ kind: 'attached', view: node.view, pipeline: node.pipeline, block, to: node.block.uuid })),
          ...node.runs.slice(0, MAX_RUNS_SHOWN).map((record): Node => ({ kind: 'blockRun', view: node.view, pipeline: node.pipeline, record })),
        ];
      case 'group':
        if (node.group === 'triggers')
          return node.view.project.pipelines.get(node.pipeline)!.triggers.map((trigger) => ({ kind: 'trigger', view: node.view, pipeline: node.pipeline, trigger }));
        return node.view.runs
          .filter((r) => r.pipeline === node.pipeline)
          .slice(-10)
          .reverse()
          .map((run) => ({ kind: 'run', view: node.view, run }));
      default:
        return [];
    }
  }

  private pipelines(view: ProjectView): Node[] {
    return [...view.project.pipelines.keys()].sort().map((pipeline) => ({ kind: 'pipeline', view, pipeline }));
  }

  private pipelineChildren(view: ProjectView, uuid: string): Node[] {
    const latest = this.projects.latestRun(view, uuid);
    const pipeline = view.project.pipelines.get(uuid)!;
    const rows = blockRows(pipeline, view.graphs.get(uuid)!, latest, this.runs.liveRun(view.project.root, uuid));
    const blocks = rows.map((row): Node => ({ kind: 'block', view, pipeline: uuid, ...row }));
    const groups: Node[] = [];
    if (pipeline.triggers.length > 0) groups.push({ kind: 'group', view, pipeline: uuid, group: 'triggers' });
    if (view.runs.some((r) => r.pipeline === uuid)) groups.push({ kind: 'group', view, pipeline: uuid, group: 'runs' });
    return [...blocks, ...groups];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'project': {
        const item = new vscode.TreeItem(node.view.project.name, vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('project');
        item.tooltip = node.view.project.root;
        return item;
      }
      case 'pipeline': {
        const pipeline = node.view.project.pipelines.get(node.pipeline)!;
        const item = new vscode.TreeItem(pipeline.uuid, vscode.TreeItemCollapsibleState.Collapsed);
        const latest = this.projects.latestRun(node.view, node.pipeline);
        const live = this.runs.liveRun(node.view.project.root, node.pipeline);
        item.description =
          live && !live.finished
            ? 'running'
            : latest
              ? `${latest.status} ${seconds(latest.durationMs)}`
              : `${pipeline.blocks.length} block${pipeline.blocks.length === 1 ? '' : 's'}`;
        item.iconPath = new vscode.ThemeIcon(live && !live.finished ? 'sync~spin' : 'type-hierarchy-sub');
        item.tooltip = new vscode.MarkdownString(`**${pipeline.name}**\n\n${pipeline.description ?? ''}`);
        item.contextValue = 'pipewright.pipeline';
        item.id = `${node.view.project.root}:${node.pipeline}`;
        return item;
      }
      case 'block': {
        const expandable = node.attached.length > 0 || node.runs.length > 0;
        const item = new vscode.TreeItem(node.block.uuid, expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        const color = node.status ? STATUS_COLORS[node.status as LiveStatus] : undefined;
        item.iconPath =
          node.status === 'running'
            ? new vscode.ThemeIcon('sync~spin')
            : new vscode.ThemeIcon(TYPE_ICONS[node.block.type] ?? 'circle-outline', color ? new vscode.ThemeColor(color) : undefined);
        item.description = blockDescription(node);
        item.tooltip = new vscode.MarkdownString(
          [
            `**${node.block.uuid}** (${node.block.type}, ${node.block.language})`,
            node.block.file ? `\`${vscode.workspace.asRelativePath(node.block.file)}\`` : '',
            `upstream: ${node.block.upstream.join(', ') || 'none'}`,
          ].join('\n\n'),
        );
        item.contextValue = 'pipewright.block';
        item.id = `${node.view.project.root}:${node.pipeline}:${node.block.uuid}`;
        if (node.block.file && node.block.fileExists) item.command = { command: 'vscode.open', title: 'Open block file', arguments: [vscode.Uri.file(node.block.file)] };
        return item;
      }
      case 'attached': {
        const item = new vscode.TreeItem(node.block.uuid, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(TYPE_ICONS[node.block.type] ?? 'circle-outline');
        item.description = node.block.type === 'conditional' ? `condition on ${node.to}` : `callback after ${node.to}`;
        item.id = `${node.view.project.root}:${node.pipeline}:${node.to}:@${node.block.uuid}`;
        if (node.block.file && node.block.fileExists) item.command = { command: 'vscode.open', title: 'Open file', arguments: [vscode.Uri.file(node.block.file)] };
        return item;
      }
      case 'blockRun': {
        const { record } = node;
        const item = new vscode.TreeItem(record.block, vscode.TreeItemCollapsibleState.None);
        const color = STATUS_COLORS[record.status as LiveStatus];
        item.iconPath = new vscode.ThemeIcon(
          record.status === 'completed' ? 'pass' : record.status === 'condition_failed' ? 'circle-slash' : 'error',
          color ? new vscode.ThemeColor(color) : undefined,
        );
        item.description = [record.status, seconds(record.durationMs), record.output?.kind === 'table' ? `${record.output.rows.toLocaleString()} rows` : undefined]
          .filter(Boolean)
          .join(' · ');
        item.tooltip = record.error?.message;
        item.id = `${node.view.project.root}:${node.pipeline}:~${record.block}`;
        item.contextValue = 'pipewright.blockRun';
        item.command = {
          command: 'pipewright.previewOutput',
          title: 'Preview output',
          arguments: [{ root: node.view.project.root, pipeline: node.pipeline, block: record.block }],
        };
        return item;
      }
      case 'group': {
        const item = new vscode.TreeItem(node.group === 'triggers' ? 'Triggers' : 'Recent runs', vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon(node.group === 'triggers' ? 'clock' : 'history');
        item.id = `${node.view.project.root}:${node.pipeline}:#${node.group}`;
        return item;
      }
      case 'trigger': {
        const item = new vscode.TreeItem(node.trigger.name, vscode.TreeItemCollapsibleState.None);
        const next = node.trigger.status === 'active' ? nextRunTimes(node.trigger, new Date(), 1)[0] : undefined;
        item.description = `${node.trigger.scheduleInterval ?? node.trigger.scheduleType} · ${node.trigger.status}${next ? ` · next ${next.toISOString().replace('T', ' ').slice(0, 16)} UTC` : ''}`;
        item.iconPath = new vscode.ThemeIcon(node.trigger.status === 'active' ? 'clock' : 'circle-slash');
        item.contextValue = `pipewright.trigger.${node.trigger.status}`;
        return item;
      }
      case 'run':
        return runItem(node.view, node.run);
    }
  }
}

/** A run as a tree item: execution date (and pipeline), status, duration, how it started; opens its logs. */
export function runItem(view: ProjectView, run: RunRecord, options: { withPipeline?: boolean } = {}): vscode.TreeItem {
  const when = run.executionDate.replace('T', ' ').slice(0, 16);
  const item = new vscode.TreeItem(options.withPipeline ? `${run.pipeline} · ${when}` : when, vscode.TreeItemCollapsibleState.None);
  item.description = `${run.status} ${seconds(run.durationMs)}${run.backfill ? ' · backfill' : run.trigger ? ` · ${run.trigger}` : ''}`;
  const color = STATUS_COLORS[run.status as LiveStatus];
  item.iconPath = new vscode.ThemeIcon(run.status === 'completed' ? 'pass' : run.status === 'running' ? 'sync~spin' : 'error', color ? new vscode.ThemeColor(color) : undefined);
  item.tooltip = `Run ${run.runId}`;
  item.contextValue = 'pipewright.run';
  item.command = { command: 'pipewright.showLogs', title: 'Show logs', arguments: [view.project.root, run.runId] };
  return item;
}
