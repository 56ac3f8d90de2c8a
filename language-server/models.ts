import { loadProject } from '../runtime/project/load-project.js';
import type { ProjectHost } from '../runtime/project/host.js';
import type { Project } from '../runtime/project/model.js';

/**
 * The project models the requests share, one per project root. A change of what the model is built
 * from (a YAML file, a block file appearing) makes every model stale; the next request loads it again,
 * unless the change was applied to the model itself (`replace`).
 */
export class Models {
  #changes = 0;
  readonly #models = new Map<string, { project: Project; at: number }>();

  constructor(private readonly host: ProjectHost) {}

  /** The current model of a project, loaded when there is none. */
  get(root: string): Project {
    const current = this.current(root);
    if (current) return current;
    const project = loadProject(root, { host: this.host });
    this.#models.set(root, { project, at: this.#changes });
    return project;
  }

  /** The latest model, even when a change made it stale; loaded when there is none. */
  latest(root: string): Project {
    return this.#models.get(root)?.project ?? this.get(root);
  }

  /** The model when it is current, without loading one. */
  current(root: string): Project | undefined {
    const cached = this.#models.get(root);
    return cached && cached.at === this.#changes ? cached.project : undefined;
  }

  /** Something models are built from changed. */
  changed(): void {
    this.#changes++;
  }

  /** The model of a project after a change that the caller applied to it. */
  replace(root: string, project: Project): void {
    this.#models.set(root, { project, at: this.#changes });
  }
}
