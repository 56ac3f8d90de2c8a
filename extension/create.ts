import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { slugify } from '../runtime/scaffold/slug.js';
import { newPipeline } from '../runtime/scaffold/new-pipeline.js';
import { newProject } from '../runtime/scaffold/new-project.js';
import type { Projects } from './projects.js';

/** A name for something new: asked, slugged as the CLI slugs it, refused when it is taken. */
async function askName(prompt: string, value: string, taken: (slug: string) => string | undefined): Promise<string | undefined> {
  return vscode.window.showInputBox({
    prompt,
    value,
    validateInput: (text) => {
      const slug = slugify(text);
      if (!slug) return 'Use letters, digits and underscores';
      return taken(slug);
    },
  });
}

/** "Create Project…": a folder to put it in, a name, then the new project opens (in this window when it is empty). */
export async function createProject(): Promise<void> {
  const [parent] =
    (await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Create the project in this folder' })) ?? [];
  if (!parent) return;
  const name = await askName('Name of the new project', 'my_project', (slug) =>
    existsSync(join(parent.fsPath, slug)) ? `${join(parent.fsPath, slug)} exists already` : undefined,
  );
  if (!name) return;
  const dir = join(parent.fsPath, slugify(name));
  try {
    newProject(dir, { name: slugify(name) });
  } catch (error) {
    void vscode.window.showErrorMessage(`Cannot create the project: ${(error as Error).message}`);
    return;
  }
  const empty = !vscode.workspace.workspaceFolders?.length;
  await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(dir), { forceNewWindow: !empty });
}

/** "New Pipeline…": a name, then its metadata.yaml opens, ready for "Add Block…". */
export async function createPipeline(projects: Projects, root: string): Promise<void> {
  const project = projects.all.find((view) => view.project.root === root)?.project;
  const name = await askName('Name of the new pipeline', 'my_pipeline', (slug) =>
    project?.pipelines.has(slug) || existsSync(join(root, 'pipelines', slug)) ? `Pipeline ${slug} exists already` : undefined,
  );
  if (!name) return;
  try {
    const { files } = newPipeline(root, { name });
    await projects.reload();
    await vscode.window.showTextDocument(vscode.Uri.file(files[0]), { preview: false });
  } catch (error) {
    void vscode.window.showErrorMessage(`Cannot create the pipeline: ${(error as Error).message}`);
  }
}

/** "Pick Profile…": the io_config.yaml profile runs use, kept in the workspace's settings. */
export async function pickProfile(projects: Projects, root: string): Promise<void> {
  const config = projects.all.find((view) => view.project.root === root)?.project.ioConfig;
  const names = [...(config?.profiles.keys() ?? [])];
  if (names.length === 0) {
    void vscode.window.showWarningMessage('This project has no profiles: add one to io_config.yaml');
    return;
  }
  const current = vscode.workspace.getConfiguration('pipewright').get<string>('profile') || 'default';
  const picked = await vscode.window.showQuickPick(
    names.map((name) => {
      const settings = config!.profiles.get(name)!.settings;
      const kind = settings.PIPEWRIGHT_EMBEDDED ? 'embedded: PostgreSQL and a local bucket and warehouse in .pipewright/' : Object.keys(settings).slice(0, 4).join(', ');
      return { label: name, description: name === current ? '(in use)' : undefined, detail: kind };
    }),
    { placeHolder: 'The io_config.yaml profile runs use' },
  );
  if (!picked) return;
  await vscode.workspace.getConfiguration('pipewright').update('profile', picked.label === 'default' ? '' : picked.label, vscode.ConfigurationTarget.Workspace);
  void vscode.window.showInformationMessage(`Runs use profile "${picked.label}"`);
}
