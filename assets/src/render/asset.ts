/** A file an asset produces, with the path relative to the asset directory. */
export interface RenderedFile {
  readonly path: string;
  readonly contents: string;
  readonly mode: number;
}

/** What an asset produced, for the assets that depend on it. */
export class AssetOutput {
  readonly id: string;
  readonly files: readonly RenderedFile[];

  constructor(id: string, files: readonly RenderedFile[]) {
    this.id = id;
    this.files = files;
  }

  file(path: string): RenderedFile {
    const found = this.files.find((file) => file.path === path);
    if (found === undefined) throw new Error(`asset ${this.id} has no file ${path}`);
    return found;
  }

  contents(path: string): string {
    return this.file(path).contents;
  }
}

export interface AssetContext<Input> {
  readonly input: Input;
  readonly now: Date;
  /** The output of a dependency named in `dependsOn`. */
  dependency(id: string): AssetOutput;
  /** This asset's files from the previous render, if they are still on disk: keys are reused from here. */
  readonly previous: AssetOutput | undefined;
}

/**
 * One node of the asset graph. Its fingerprint is the hash of `inputs(...)`,
 * `revision` and the content of its dependencies; an unchanged fingerprint
 * means the files on disk are still right and nothing is regenerated.
 */
export interface AssetDefinition<Input> {
  readonly id: string;
  readonly dependsOn: readonly string[];
  /** Bump when the generator's output changes for the same inputs. */
  readonly revision: number;
  /** The part of the input this asset depends on. Must be JSON-serializable. */
  inputs(input: Input): unknown;
  generate(context: AssetContext<Input>): Promise<readonly RenderedFile[]> | readonly RenderedFile[];
  /**
   * Whether files that are otherwise up to date must be generated again at `now` (a credential past its expiration).
   * `generate` then sees them as `previous`, and decides what to keep.
   */
  isStale?(output: AssetOutput, now: Date): boolean;
}
