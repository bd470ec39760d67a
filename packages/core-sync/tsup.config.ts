import { defineK } from '../../tsup.base';

export default defineK(import.meta.dirname);
