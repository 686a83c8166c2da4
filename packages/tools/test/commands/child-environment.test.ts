import { describe, expect, it } from 'vitest';
import { buildChildEnvironment } from '../../src/commands/child-environment.js';

describe('buildChildEnvironment', () => {
  it('does not advertise agent, bus or container daemon sockets by default', () => {
    const environment = buildChildEnvironment({
      source: {
        PATH: '/usr/bin',
        SSH_AUTH_SOCK: '/run/user/1000/ssh-agent.socket',
        GPG_AGENT_INFO: '/run/user/1000/gnupg/S.gpg-agent',
        DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus',
        DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/run/dbus/system_bus_socket',
        DOCKER_HOST: 'unix:///run/docker.sock',
        CONTAINER_HOST: 'unix:///run/podman/podman.sock',
        XDG_RUNTIME_DIR: '/run/user/1000',
      },
    });
    expect(Object.keys(environment).sort()).toEqual(['HERD', 'NO_COLOR', 'PATH']);
  });

  it('passes a name the configuration allows explicitly', () => {
    const environment = buildChildEnvironment({
      source: { DOCKER_HOST: 'tcp://127.0.0.1:2375' },
      extraAllowed: ['DOCKER_HOST'],
    });
    expect(environment.DOCKER_HOST).toBe('tcp://127.0.0.1:2375');
  });
});
