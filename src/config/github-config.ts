import { readFileSync } from 'node:fs';
import { DeployTrigger, GithubAppConfig } from './app-config';
import { readAppPrivateKey } from './app-private-key';
import { ConfigError } from './config-error';

/** The GitHub App variables as read from the environment (trimmed; undefined when unset or empty). */
export interface GithubAppVariables {
  appId?: string;
  privateKey?: string;
  privateKeyFile?: string;
  installationId?: string;
}

/** True when any App variable is set: the App is then what the service authenticates with. */
export function wantsGithubApp(vars: GithubAppVariables): boolean {
  return Object.values(vars).some((value) => value !== undefined);
}

function keyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new ConfigError(
      'GITHUB_APP_PRIVATE_KEY_FILE',
      `cannot be read (${typeof code === 'string' ? code : 'unreadable'}): ${path}`,
    );
  }
}

/** GITHUB_APP_*: the App's id, a usable private key (checked now, not at the first deploy) and the installation. */
export function githubApp(vars: GithubAppVariables): GithubAppConfig | undefined {
  if (!wantsGithubApp(vars)) return undefined;
  const { appId, privateKey, privateKeyFile, installationId } = vars;
  if (!appId)
    throw new ConfigError(
      'GITHUB_APP_ID',
      'is required with GITHUB_APP_PRIVATE_KEY, GITHUB_APP_PRIVATE_KEY_FILE or GITHUB_APP_INSTALLATION_ID: the App id shown on the App\'s settings page ("App ID")',
    );
  // The numeric App ID, or the App's client ID (Iv…), which GitHub also accepts as the JWT issuer.
  if (!/^[1-9]\d{0,18}$/.test(appId) && !/^Iv[A-Za-z0-9.]{4,60}$/.test(appId)) {
    throw new ConfigError(
      'GITHUB_APP_ID',
      `must be the App's numeric id ("App ID" on its settings page), got "${appId}"`,
    );
  }
  if (privateKey && privateKeyFile)
    throw new ConfigError(
      'GITHUB_APP_PRIVATE_KEY',
      'and GITHUB_APP_PRIVATE_KEY_FILE are both set: give the key one way only',
    );
  if (!privateKey && !privateKeyFile)
    throw new ConfigError(
      'GITHUB_APP_PRIVATE_KEY',
      'is required with GITHUB_APP_ID (the PEM text), or set GITHUB_APP_PRIVATE_KEY_FILE to the .pem file',
    );
  const variable = privateKey ? 'GITHUB_APP_PRIVATE_KEY' : 'GITHUB_APP_PRIVATE_KEY_FILE';
  const reading = readAppPrivateKey(privateKey ?? keyFile(privateKeyFile!));
  if ('problem' in reading) throw new ConfigError(variable, reading.problem);
  if (installationId !== undefined && !/^[1-9]\d{0,18}$/.test(installationId)) {
    throw new ConfigError(
      'GITHUB_APP_INSTALLATION_ID',
      `must be a number (the end of the installation's settings URL), got "${installationId}"; or unset it to look it up from GITHUB_REPOSITORY`,
    );
  }
  return {
    appId,
    privateKey: reading.pem,
    installationId: installationId === undefined ? undefined : Number(installationId),
  };
}

export interface TriggerVariables {
  trigger?: string;
  workflow?: string;
  ref?: string;
}

const WORKFLOW = /^(?:[1-9]\d{0,18}|[A-Za-z0-9_.-]+\.ya?ml)$/;
/** git's rules for ref names, loosely: printable ASCII without spaces, ~^:?*[\ or "..". */
const REF = /^(?!.*\.\.)[!-~]+$/;
const REF_FORBIDDEN = /[~^:?*[\\]/;

/** DEPLOY_TRIGGER, DEPLOY_WORKFLOW and DEPLOY_REF. */
export function deployTrigger({ trigger = 'repository_dispatch', workflow, ref }: TriggerVariables): DeployTrigger {
  if (trigger === 'repository_dispatch') {
    if (workflow || ref) {
      throw new ConfigError(
        workflow ? 'DEPLOY_WORKFLOW' : 'DEPLOY_REF',
        'is only used with DEPLOY_TRIGGER=workflow_dispatch; set that too, or unset this',
      );
    }
    return { kind: 'repository_dispatch' };
  }
  if (trigger !== 'workflow_dispatch')
    throw new ConfigError('DEPLOY_TRIGGER', `must be repository_dispatch or workflow_dispatch, got "${trigger}"`);
  if (!workflow)
    throw new ConfigError(
      'DEPLOY_WORKFLOW',
      'is required with DEPLOY_TRIGGER=workflow_dispatch: the workflow file name (e.g. deploy.yml) or its numeric id',
    );
  if (!WORKFLOW.test(workflow)) {
    throw new ConfigError(
      'DEPLOY_WORKFLOW',
      `must be the workflow's file name (e.g. deploy.yml, without .github/workflows/) or its numeric id, got "${workflow}"`,
    );
  }
  if (ref !== undefined && (!REF.test(ref) || REF_FORBIDDEN.test(ref)))
    throw new ConfigError('DEPLOY_REF', `is not a valid branch or tag name: "${ref}"`);
  return { kind: 'workflow_dispatch', workflow, ref };
}
