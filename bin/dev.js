#!/usr/bin/env node
// Development entry: rebuilds nothing, runs the compiled commands with oclif's development settings.
import { execute } from '@oclif/core';

await execute({ development: true, dir: import.meta.url });
