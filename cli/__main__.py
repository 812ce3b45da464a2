import sys

from gotcha_kb.cli.main import main

sys.exit(main())
