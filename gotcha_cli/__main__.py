import sys

from gotcha_cli.main import main

sys.exit(main())
