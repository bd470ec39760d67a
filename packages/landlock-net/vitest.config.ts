import { defineKTest } from '../../vitest.base';

export default defineKTest();
