import { createProvider, PORT } from './config.js';

const provider = createProvider();
provider.listen(PORT, '127.0.0.1');
