import { AppConfig, DeployTrigger } from '../config/app-config';
import { GrantedPermissions } from './app-installation-auth';

/** One permission a GitHub App installation must have for what the configuration asks of it. */
export interface PermissionNeed {
  permission: 'contents' | 'actions';
  level: 'read' | 'write';
  /** Why, in the words of the configuration. */
  for: string;
}

/** GitHub's names on the App's "Permissions & events" page. */
const TITLES: Record<PermissionNeed['permission'], string> = { contents: 'Contents', actions: 'Actions' };

export function describeNeed(need: PermissionNeed): string {
  return `${TITLES[need.permission]}: ${need.level === 'write' ? 'read & write' : 'read'} (${need.for})`;
}

/** Follows Actions runs unless DEPLOY_TRACK_RUNS turns it off (the setting may be absent: then it is on). */
export function tracksRuns(config: AppConfig): boolean {
  return (config as Partial<{ runs: { track?: boolean } }>).runs?.track ?? true;
}

/** Contents write sends a repository_dispatch, Actions write a workflow_dispatch; following runs reads Actions. */
export function neededPermissions(trigger: DeployTrigger, trackRuns: boolean): PermissionNeed[] {
  const needs: PermissionNeed[] =
    trigger.kind === 'workflow_dispatch'
      ? [{ permission: 'actions', level: 'write', for: 'workflow_dispatch' }]
      : [{ permission: 'contents', level: 'write', for: 'repository_dispatch' }];
  if (trackRuns && trigger.kind !== 'workflow_dispatch')
    needs.push({ permission: 'actions', level: 'read', for: 'following runs, DEPLOY_TRACK_RUNS' });
  return needs;
}

/** The needs the granted permissions do not meet ('write' includes 'read'). */
export function missingPermissions(granted: GrantedPermissions, needs: PermissionNeed[]): PermissionNeed[] {
  return needs.filter((need) => {
    const level = granted[need.permission];
    return !(level === 'write' || (level === 'read' && need.level === 'read'));
  });
}
