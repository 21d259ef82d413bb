import { describe, expect, it } from 'vitest'

import { AppError } from '../../shared/errors'
import type { CliIo } from '../cli-io'
import { ExitCode } from '../exit-codes'

import { signInFailed } from './resource-auth-options'

function bufferIo(): CliIo & { err: () => string } {
  let err = ''
  return {
    stdout: { write: () => true },
    stderr: { write: (chunk: string) => (err += chunk) },
    env: {},
    cwd: '/',
    err: () => err
  }
}

describe('signInFailed', () => {
  it('says a refused sign-in on stderr under the command name and exits 4', () => {
    const io = bufferIo()
    const code = signInFailed(
      io,
      'cax push adx',
      new AppError('auth/failed', 'AADSTS7000215: Invalid client secret provided.')
    )
    expect(code).toBe(ExitCode.auth)
    expect(io.err()).toBe('cax push adx: AADSTS7000215: Invalid client secret provided.\n')
  })

  it('exits 2 when the input behind the sign-in was bad (an unreadable --ca-file)', () => {
    const io = bufferIo()
    const missing = Object.assign(new Error("ENOENT: no such file or directory, open 'ca.pem'"), {
      code: 'ENOENT'
    })
    expect(signInFailed(io, 'cax pull', missing)).toBe(ExitCode.invalidInput)
    expect(io.err()).toBe("cax pull: ENOENT: no such file or directory, open 'ca.pem'\n")
  })
})
